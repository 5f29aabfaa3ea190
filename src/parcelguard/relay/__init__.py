"""The virtual-number relay (隐私号): pool numbers, AXB/AXN bindings, call routing, caller checks.

A courier who never sees the recipient's real number cannot keep it, sell it or call it next
month: both sides talk through a pool number that stops routing after delivery.
"""
