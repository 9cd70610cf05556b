"""The one exception that stops an ingest run."""


class IngestError(Exception):
    """A failure that stops the run; ``str()`` is the whole message for the user (it names
    the file and, where it applies, the column) and never holds a personal value."""
