"""Writes, one module per area (budgets, assessment, invoices, payments, arrears, publication,
spending, donations). Each public function is one transaction."""
