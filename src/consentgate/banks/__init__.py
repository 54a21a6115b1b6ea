"""Hash banks: named lists of PDQ/MD5 hashes, their store, formats and the in-memory index."""
