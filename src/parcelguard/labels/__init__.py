"""Privacy waybill labels (隐私面单): masked content, layout, the renderers and station printers.

Public entry points: `content.LabelContent`, `content.ShelfLabelContent`, `content.LabelSize`,
`content.validate_masked`, `registry.renderer_for(format)` → `LabelRenderer` (PDF, PNG, ZPL,
TSPL, ESC/POS), and `printing.plan` / `printing.send` for a printer named by `printers`.
Importing this package loads nothing heavy; the renderers load reportlab and Pillow when imported.
"""
