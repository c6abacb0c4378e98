"""Django's minimum length rule with its message in Chinese (Django's own Chinese catalogue lacks
the message with "%d" that Django 5 uses, so a clerk would read it in English)."""

from __future__ import annotations

from django.contrib.auth.password_validation import MinimumLengthValidator as DjangoMinimumLength


class MinimumLengthValidator(DjangoMinimumLength):
    def get_error_message(self) -> str:
        return f"密码太短，至少需要 {self.min_length} 个字符。"

    def get_help_text(self) -> str:
        return f"密码至少需要 {self.min_length} 个字符。"
