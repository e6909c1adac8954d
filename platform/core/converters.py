"""URL path converters for ids in paths."""


class IdConverter:
    """A bigint id in a path: ASCII digits, at most 18 (no overflow of the database's ids).

    Django's `int` converter takes any number of digits, and an id past 2**63 overflowed
    the database driver (a 500); here it simply matches no route, a JSON 404.
    """

    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)
