"""A study's options, as the front ends (the CLI, the web app, a notebook's form) offer them: each
``Option`` has its name (``lm3.calculate``'s keyword and the lm3.toml key), default, label, help, group and
kind. ``declared()`` lists them in the order a person meets them; ``StudyOptions`` is the declaration itself.

    >>> import lm3.options
    >>> lm3.options.option("pay_basis").choices
    ('gross', 'net')
"""

from lm3.study.options import GROUPS, Option, StudyOptions, option

__all__ = ["GROUPS", "Option", "StudyOptions", "declared", "option"]


def declared() -> tuple[Option, ...]:
    """Every option of a study, in the order a person meets them."""
    return StudyOptions.declared()
