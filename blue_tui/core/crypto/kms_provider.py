"""AwsKmsKeyProvider: the UMK is a KMS key; DEKs come from GenerateDataKey and go back through Decrypt.

The "KEK" of the hierarchy is the KMS key together with an EncryptionContext that
binds the user, the dialogue and the key version: KMS refuses to unwrap a DEK under
any other context. The same boto3 code runs against AWS and against a KMS-compatible
endpoint on loopback (``AWS_ENDPOINT_URL_KMS``); only the endpoint differs.

Only the configured key (``BLUE_KMS_KEY_ID``, an alias resolved once per process with
DescribeKey) is ever used. The key id stored beside a wrapped DEK is cleartext that
anyone with write access to the table can set: a DEK item naming another key is
refused, never passed to Decrypt, and the key that KMS says it used must be ours.
Otherwise whoever re-creates a dialogue under a KMS key of their own would have the
victim read their text, and seal the victim's next version under a key they can read.
"""

from __future__ import annotations

import threading
from typing import Any

import botocore.exceptions

from blue_tui.core.aws import error_code, kms_client
from blue_tui.core.config import Settings
from blue_tui.core.crypto.keys import DekContext, DekHandle, KekHandle, UmkHandle, WrappedDek
from blue_tui.core.crypto.local_provider import dek_key_id
from blue_tui.core.errors import (
    AwsCredentialsMissing,
    ConfigError,
    IntegrityError,
    IntegrityProblem,
    KmsError,
    KmsUnreachable,
    WrongPrincipal,
)

#: Configured key id -> its ARN, per endpoint and region: resolved once per process.
_resolved: dict[tuple[str | None, str, str], str] = {}
_resolve_lock = threading.Lock()


class AwsKmsKeyProvider:
    name = "kms"

    def __init__(self, settings: Settings) -> None:
        if not settings.kms_key_id:
            raise ConfigError(
                "BLUE_KEY_PROVIDER=kms needs BLUE_KMS_KEY_ID (a key id, ARN or alias/name)",
                hint="export BLUE_KMS_KEY_ID=alias/blue-dialogues",
            )
        self.settings = settings
        self.key_id: str = settings.kms_key_id
        self._client = kms_client(settings)

    @property
    def endpoint(self) -> str:
        return self.settings.kms_endpoint or f"AWS KMS ({self.settings.aws_region})"

    def _call(self, operation: str, dialogue_id: str | None, **kwargs: Any) -> dict[str, Any]:
        try:
            result: dict[str, Any] = getattr(self._client, operation)(**kwargs)
            return result
        except (
            botocore.exceptions.EndpointConnectionError,
            botocore.exceptions.ConnectTimeoutError,
            botocore.exceptions.ReadTimeoutError,
        ) as exc:
            raise KmsUnreachable(self.endpoint, type(exc).__name__) from None
        except botocore.exceptions.NoCredentialsError:
            raise AwsCredentialsMissing("KMS") from None
        except botocore.exceptions.ClientError as exc:
            code = error_code(exc)
            subject = f" for dialogue {dialogue_id!r}" if dialogue_id else ""
            if code == "InvalidCiphertextException" and dialogue_id is not None:
                raise IntegrityError(
                    [
                        IntegrityProblem(
                            dialogue_id,
                            f"dek#v{kwargs.get('EncryptionContext', {}).get('blue:key-version', '?')}",
                            "tampered",
                            "KMS rejected the wrapped data key (modified, or bound to another "
                            "user, dialogue or key version)",
                        )
                    ]
                ) from None
            if code in {"AccessDeniedException", "IncorrectKeyException"}:
                raise KmsError(
                    f"KMS denied {operation}{subject} with key {self.key_id} ({code})",
                    hint="check the key policy and your IAM permissions for kms:Decrypt / kms:GenerateDataKey",
                ) from None
            if code in {"DisabledException", "KMSInvalidStateException"}:
                raise KmsError(
                    f"KMS key {self.key_id} is disabled or pending deletion ({code})",
                    hint="re-enable the key in KMS, or point BLUE_KMS_KEY_ID at an active key",
                ) from None
            if code == "NotFoundException":
                raise KmsError(
                    f"KMS key {self.key_id} does not exist at {self.endpoint}",
                    hint="check BLUE_KMS_KEY_ID and AWS_REGION",
                ) from None
            message = exc.response.get("Error", {}).get("Message", "")
            raise KmsError(f"KMS {operation}{subject} failed: {code}: {message}") from None

    def key_arn(self) -> str:
        """The ARN of the configured key (an alias or key id resolved with DescribeKey, once)."""
        cache_key = (self.settings.kms_endpoint, self.settings.aws_region, self.key_id)
        with _resolve_lock:
            arn = _resolved.get(cache_key)
            if arn is None:
                meta = self._call("describe_key", None, KeyId=self.key_id)["KeyMetadata"]
                arn = _resolved[cache_key] = str(meta["Arn"])
            return arn

    def _foreign(self, context: DekContext, message: str) -> IntegrityError:
        return IntegrityError(
            [IntegrityProblem(context.dialogue_id, f"dek#v{context.key_version}", "foreign-key", message)]
        )

    def get_umk(self) -> UmkHandle:
        return UmkHandle(f"kms:{self.key_id}")

    def derive_kek(self, umk: UmkHandle, user: str, version: int = 1) -> KekHandle:
        # No call: the binding lives in the EncryptionContext of every GenerateDataKey/Decrypt.
        return KekHandle(f"{umk.key_id}/kek:{user}:v{version}", user=user, version=version)

    def generate_dek(self, kek: KekHandle, context: DekContext) -> tuple[DekHandle, WrappedDek]:
        arn = self.key_arn()
        answer = self._call(
            "generate_data_key",
            context.dialogue_id,
            KeyId=arn,
            KeySpec="AES_256",
            EncryptionContext=context.encryption_context(),
        )
        if answer.get("KeyId") != arn:
            raise KmsError(
                f"KMS generated the data key of dialogue {context.dialogue_id!r} under key "
                f"{answer.get('KeyId')}, not the configured key {arn}",
                hint="check BLUE_KMS_KEY_ID and the KMS endpoint",
            )
        wrapped = WrappedDek(self.name, f"kms:{arn}", answer["CiphertextBlob"])
        return DekHandle(dek_key_id(context), answer["Plaintext"]), wrapped

    def decrypt_dek(self, kek: KekHandle, wrapped: WrappedDek, context: DekContext) -> DekHandle:
        if context.user != kek.user:
            raise WrongPrincipal(context.dialogue_id, context.user, kek.user)
        if wrapped.provider != self.name:
            raise KmsError(
                f"dialogue {context.dialogue_id!r} was encrypted with the {wrapped.provider} key provider",
                hint=f"run with BLUE_KEY_PROVIDER={wrapped.provider}",
            )
        arn = self.key_arn()
        stored_key = wrapped.kek_id.removeprefix("kms:")
        if stored_key != arn:
            raise self._foreign(
                context,
                f"the data key is wrapped under KMS key {stored_key}, not the configured key {arn} "
                f"(BLUE_KMS_KEY_ID={self.key_id}); refused",
            )
        answer = self._call(
            "decrypt",
            context.dialogue_id,
            CiphertextBlob=wrapped.blob,
            KeyId=arn,
            EncryptionContext=context.encryption_context(),
        )
        if answer.get("KeyId") != arn:
            raise self._foreign(
                context,
                f"KMS unwrapped the data key with key {answer.get('KeyId')}, not the configured key {arn}",
            )
        return DekHandle(dek_key_id(context), answer["Plaintext"])

    def describe(self) -> dict[str, Any]:
        info: dict[str, Any] = {
            "provider": self.name,
            "kms_key_id": self.key_id,
            "endpoint": self.endpoint,
            "key_id": None,
            "ok": False,
            "problem": None,
        }
        try:
            meta = self._call("describe_key", None, KeyId=self.key_id)["KeyMetadata"]
        except (KmsError, KmsUnreachable, AwsCredentialsMissing) as exc:
            info["problem"] = exc.message
            return info
        info["key_id"] = f"kms:{meta.get('Arn', self.key_id)}"
        info["key_state"] = meta.get("KeyState")
        info["ok"] = (
            meta.get("KeyState") == "Enabled" and meta.get("KeyUsage", "ENCRYPT_DECRYPT") == "ENCRYPT_DECRYPT"
        )
        if not info["ok"]:
            info["problem"] = f"key state {meta.get('KeyState')}, usage {meta.get('KeyUsage')}"
        return info
