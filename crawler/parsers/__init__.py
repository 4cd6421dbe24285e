"""Shared format parsers (HTML tables, markdown tables, Next.js RSC payloads) used by the extractors."""
