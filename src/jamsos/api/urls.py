from jamsos.api.base import api

__all__ = ["api"]
