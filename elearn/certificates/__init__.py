"""Course certificates (kursbevis): a PDF on passing, a public page that verifies it."""
