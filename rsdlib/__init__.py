"""rsdlib: from a social service's caseload export to council-ready appendices."""

__version__ = "0.1.0"
