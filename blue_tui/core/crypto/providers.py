"""Choose the key provider named by BLUE_KEY_PROVIDER."""

from __future__ import annotations

from blue_tui.core.config import Settings
from blue_tui.core.crypto.keys import KeyProvider


def key_provider(settings: Settings) -> KeyProvider:
    if settings.key_provider == "kms":
        from blue_tui.core.crypto.kms_provider import AwsKmsKeyProvider

        return AwsKmsKeyProvider(settings)
    from blue_tui.core.crypto.local_provider import LocalFileKeyProvider

    return LocalFileKeyProvider(settings.umk_path)
