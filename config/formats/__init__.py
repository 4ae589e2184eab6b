"""Date formats that override each language's own (FORMAT_MODULE_PATH): ISO 8601 dates everywhere.

Only the display formats are set; everything else (number separators, input formats) stays the
language's own, from Django's locale files.
"""
