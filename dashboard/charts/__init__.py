"""Chart builders: pure functions from polars frames to Altair charts (no Streamlit, no SQL)."""
