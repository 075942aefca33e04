"""Messages that stay translatable until shown.

`_("... %(name)s ...") % {...}` renders at once in the active language. A `LazyMessage` keeps the template and
its parameters and renders when turned into text, so one message (an import error, a refusal) can be shown in
Chinese and in English from the same object.
"""

from django.utils.encoding import force_str


class LazyMessage:
    def __init__(self, template, **params):
        self.template = template
        self.params = params

    def __str__(self) -> str:
        return force_str(self.template) % {key: force_str(value) for key, value in self.params.items()}

    def __repr__(self) -> str:
        return f"LazyMessage({str(self)!r})"

    def __eq__(self, other) -> bool:
        return str(self) == str(other)

    def __hash__(self) -> int:
        return hash(str(self))


def lazy(template, **params) -> LazyMessage:
    return LazyMessage(template, **params)
