"""ParcelGuard (包裹隐私卫士): keeps the personal information on express parcels from leaking."""

__version__ = "0.1.0"
