-- The exact PDF the admin accepted, served back byte for byte.
ALTER TABLE terms_acceptances ADD COLUMN document_pdf BLOB;
ALTER TABLE terms_acceptances ADD COLUMN document_file_name TEXT;
