"""Message catalogues (zh_CN, en) and the extractor that adds the form schemas' titles to them."""
