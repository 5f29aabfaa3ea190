"""The roles a principal can hold: one enum, the names the CLI, the API and the policy use."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    """A principal's role; its value is the name in `users add --role` and in the policy."""

    COURIER = "courier"
    CLERK = "station_clerk"
    CUSTOMER_SERVICE = "customer_service"
    OFFICER = "security_officer"
    ADMIN = "admin"
    SERVICE = "service"


# The roles of people (everything but service accounts), in the order pages list them.
STAFF_ROLES: tuple[Role, ...] = (
    Role.COURIER,
    Role.CLERK,
    Role.CUSTOMER_SERVICE,
    Role.OFFICER,
    Role.ADMIN,
)
