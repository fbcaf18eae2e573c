from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser


class SafeJSONParser(JSONParser):
    """DRF's JSON parser, refusing nesting too deep to parse as bad input (400) rather than crashing (500).

    Python's decoder recurses once per level and raises RecursionError near 1,000 levels;
    a body of a few kilobytes (``[[[[...``) reaches that.
    """

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError as exc:
            raise ParseError("JSON parse error - the document is nested too deeply.") from exc
