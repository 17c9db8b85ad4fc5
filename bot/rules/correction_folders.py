"""The correction folders' names: ``[corrections]`` in chief.toml.

A message the practitioner moves to ``Chief/<name>`` is refiled under the category of
``<name>`` (:mod:`bot.sync.corrections`); the names are matched whatever their case, and a
category's own name (``payer``, ``local_authority``) is understood too.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator

__all__ = ["CORRECTION_NAMES", "CorrectionsConfig"]


# The correction folders' names (``Chief/<name>``), one per category of the vocabulary.
CORRECTION_NAMES = {
    "payer": "Payer",
    "solicitor": "Solicitor",
    "local_authority": "Local authority",
    "referral": "Referral",
    "team": "Team",
    "lab": "Lab",
    "cme": "CME",
    "credentialing": "Credentialing",
    "supplier": "Supplier",
    "research": "Research",
}


class CorrectionsConfig(BaseModel):
    """Corrections from the mailbox (``bot/sync/corrections.py``): a message moved or labelled
    ``Chief/<name>`` is refiled under that name's category on the next sync."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    enabled: bool = True
    make_folders: bool = True  # chief makes the folders (labels) on its first run
    names: dict[str, str] = Field(default_factory=dict)  # category -> folder name
    not_practice: str = Field(default="Not practice mail", min_length=1)
    learn: bool = True  # each correction teaches the practice's own model
    add_parties: bool = True  # an organisation's address joins the practice's party directory

    @field_validator("names")
    @classmethod
    def _names(cls, value: dict[str, str]) -> dict[str, str]:
        unknown = sorted(k for k in value if k not in CORRECTION_NAMES)
        if unknown:
            raise ValueError(
                f"unknown category {', '.join(unknown)}; known: {', '.join(CORRECTION_NAMES)}"
            )
        bad = sorted(k for k, v in value.items() if not v.strip() or "/" in v or "." in v)
        if bad:
            raise ValueError(f"give a folder name without '/' or '.' for {', '.join(bad)}")
        return {k: v.strip() for k, v in value.items()}

    def folder_names(self) -> dict[str, str | None]:
        """Folder name -> category (None: not practice mail), every category once."""
        out: dict[str, str | None] = {
            self.names.get(category, default): category
            for category, default in CORRECTION_NAMES.items()
        }
        out[self.not_practice] = None
        return out

    def category_of(self, folder: str) -> tuple[bool, str | None]:
        """(known, category) of a correction folder's name, its case ignored; a category's
        own name (``payer``, ``local_authority``) is understood too."""
        wanted = folder.strip().casefold()
        for name, category in self.folder_names().items():
            if wanted in (name.casefold(), (category or "").casefold()):
                return True, category
        return False, None

    def folder_of(self, category: str | None) -> str:
        """The folder name a message of ``category`` is corrected with."""
        if category is None:
            return self.not_practice
        return self.names.get(category, CORRECTION_NAMES.get(category, category))
