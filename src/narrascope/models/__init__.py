"""Trainable estimators (scikit-learn style: fit / predict_proba) behind the analysers."""
