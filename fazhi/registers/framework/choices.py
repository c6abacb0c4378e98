"""Vocabularies several registers share."""

from __future__ import annotations

from django.db import models


class PartyType(models.TextChoices):
    """A party as 行政复议法 and 行政诉讼法 name them: 公民、法人或者其他组织."""

    NATURAL_PERSON = "natural_person", "自然人"
    LEGAL_PERSON = "legal_person", "法人"
    OTHER_ORGANISATION = "other_organisation", "其他组织"
