"""Photo redaction: OCR with rapidocr, the text recognizers on each line, codes with zxing-cpp."""
