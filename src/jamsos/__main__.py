from jamsos.cli import main

main()
