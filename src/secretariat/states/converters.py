from django.urls import register_converter


class ISO3Converter:
    """A State's ISO 3166 alpha-3 code in a URL; lower case is accepted and upper-cased."""

    regex = "[A-Za-z]{3}"

    def to_python(self, value: str) -> str:
        return value.upper()

    def to_url(self, value: str) -> str:
        return value.upper()


register_converter(ISO3Converter, "iso3")
