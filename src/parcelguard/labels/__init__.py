"""Privacy waybill labels (隐私面单): masked content, layout, and the PDF / PNG / ZPL renderers.

Public entry points: `content.LabelContent`, `content.ShelfLabelContent`, `content.LabelSize`,
`content.validate_masked`, and `registry.renderer_for(format)` → `LabelRenderer`. Importing
this package loads nothing heavy; the renderers load reportlab and Pillow when imported.
"""
