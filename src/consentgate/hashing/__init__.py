"""Image hashing: PDQ (Meta's perceptual hash, fast path), MD5 and SHA-256."""
