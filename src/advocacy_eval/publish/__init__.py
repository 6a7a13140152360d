"""Publishing: run the report notebooks (papermill), export HTML/PDF, batch runs and the leak guard."""
