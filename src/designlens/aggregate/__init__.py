"""Aggregators: merge one token type's raw tokens across images into named tokens."""
