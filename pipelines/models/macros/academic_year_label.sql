-- An academic year's label from its start year: 2025 -> '2025/26' (pipelines/domain.py year_label).
CREATE OR REPLACE MACRO academic_year_label(y) AS y::VARCHAR || '/' || lpad(((y + 1) % 100)::VARCHAR, 2, '0');
