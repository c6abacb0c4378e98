"""Errors a user can read. Every message is Chinese and names what is wrong."""

from __future__ import annotations


class FazhiError(Exception):
    """Base class for errors that carry a message meant for the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class PermissionDenied(FazhiError):
    pass


class TransitionNotAllowed(FazhiError):
    pass


class ValidationFailed(FazhiError):
    """One or more field errors; ``errors`` maps a field (or ``"__all__"``) to messages."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        self.errors = errors
        parts = [f"{field}: {'；'.join(msgs)}" if field != "__all__" else "；".join(msgs) for field, msgs in errors.items()]
        super().__init__("；".join(parts))


class ImportFailed(FazhiError):
    """An import was refused as a whole; ``problems`` lists one message per row and field."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        head = problems[:20]
        more = f"（另有 {len(problems) - 20} 处错误）" if len(problems) > 20 else ""
        super().__init__("导入未执行，文件中有以下错误：\n" + "\n".join(head) + more)


class DefinitionError(Exception):
    """A definition file under ``definitions/`` is invalid. Names the file and line."""
