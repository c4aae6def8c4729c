"""Maths Hubs Atlas dashboard (Streamlit)."""
