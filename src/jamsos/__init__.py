"""Jamsos: the information system for regionally funded BPJS Ketenagakerjaan cover."""

__version__ = "0.1.0"
