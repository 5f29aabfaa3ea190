"""Alibaba receipts pulled from MNS queues (`aliyun_receipts = "mns"`): receive, apply, delete.

One round reads every configured queue (message type → queue name) once: a batch of up to
`aliyun_mns_batch` messages, each parsed into receipts and applied in its own transaction by
the same code as the HTTP push (call records only move forward, so duplicates and
out-of-order receipts change nothing). A message is deleted only once its receipts are
committed; if applying fails (the database, a recording download), its visibility is
extended by `aliyun_mns_retry_seconds` and it comes back later. A message that is not a
receipt at all is left to come back too, and deleted (and counted as `dropped`) once it has
been delivered `aliyun_mns_max_deliveries` times, so one bad message cannot block a queue.
Queue tokens (`QueryTokenForMnsQueue`) are kept until shortly before they expire.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import httpx
from sqlalchemy.exc import SQLAlchemyError

from parcelguard.errors import InvalidInput, ParcelGuardError
from parcelguard.relay.config import RelayConfig
from parcelguard.relay.providers.aliyun import AliyunProvider
from parcelguard.relay.providers.cloud import Receipt
from parcelguard.relay.providers.mns import RENEW_BEFORE, MnsQueues, QueueMessage, Token

log = logging.getLogger(__name__)
Apply = Callable[[list[Receipt]], None]


@dataclass
class Round:
    """What one round did, per outcome (counts only)."""

    received: int = 0
    applied: int = 0  # receipts applied
    deleted: int = 0
    retried: int = 0  # hidden for a later retry
    dropped: int = 0  # not a receipt, delivered too often: deleted unread
    queues: dict[str, int] = field(default_factory=dict)  # message type → messages received

    def add(self, other: Round) -> None:
        """Add another round's counts to these."""
        for name in ("received", "applied", "deleted", "retried", "dropped"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for kind, count in other.queues.items():
            self.queues[kind] = self.queues.get(kind, 0) + count

    def as_dict(self) -> dict[str, object]:
        """Return the counts as `relay receipts poll --json` prints them."""
        return {
            "received": self.received,
            "applied": self.applied,
            "deleted": self.deleted,
            "retried": self.retried,
            "dropped": self.dropped,
            "queues": dict(self.queues),
        }


class QueuePoller:
    """Reads the configured queues; keeps each queue's token between rounds."""

    def __init__(
        self,
        config: RelayConfig,
        provider: AliyunProvider,
        apply: Apply,
        *,
        queues: MnsQueues | None = None,
    ) -> None:
        self._config = config
        self._provider = provider
        self._apply = apply
        self._queues = queues or MnsQueues(config.aliyun_mns_endpoint)
        self._tokens: dict[str, Token] = {}

    def round(self, *, wait_seconds: int = 0) -> Round:
        """Read each queue once (waiting up to `wait_seconds` for an empty one)."""
        done = Round()
        for kind, queue in sorted(self._config.aliyun_mns_queues.items()):
            done.add(self._queue(kind, queue, wait_seconds))
        return done

    def _token(self, kind: str, queue: str) -> Token:
        token = self._tokens.get(queue)
        if token is None or token.expires - RENEW_BEFORE <= time.time():
            endpoint = self._config.aliyun_token_endpoint
            token = self._tokens[queue] = self._provider.queue_token(kind, queue, endpoint)
        return token

    def _queue(self, kind: str, queue: str, wait_seconds: int) -> Round:
        token = self._token(kind, queue)
        batch = self._config.aliyun_mns_batch
        messages = self._queues.receive(token, queue, batch=batch, wait_seconds=wait_seconds)
        done = Round(received=len(messages), queues={kind: len(messages)})
        for message in messages:
            self._one(kind, queue, token, message, done)
        return done

    def _one(self, kind: str, queue: str, token: Token, message: QueueMessage, done: Round) -> None:
        try:
            receipts = self._provider.queue_receipts(kind, message.body)
        except InvalidInput:
            if message.dequeue_count >= self._config.aliyun_mns_max_deliveries:
                log.warning("relay: dropped an MNS message that is not a receipt (%s)", kind)
                self._queues.delete(token, queue, message.receipt_handle)
                done.dropped += 1
                return
            self._retry(token, queue, message, done)
            return
        try:
            self._apply(receipts)
        except (ParcelGuardError, SQLAlchemyError, httpx.HTTPError) as exc:
            log.warning("relay: an MNS receipt could not be applied (%s)", type(exc).__name__)
            self._retry(token, queue, message, done)
            return
        done.applied += len(receipts)
        self._queues.delete(token, queue, message.receipt_handle)  # only once committed
        done.deleted += 1

    def _retry(self, token: Token, queue: str, message: QueueMessage, done: Round) -> None:
        seconds = self._config.aliyun_mns_retry_seconds
        self._queues.change_visibility(token, queue, message.receipt_handle, seconds)
        done.retried += 1
