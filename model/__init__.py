"""The digit model: a NumPy MLP, its data, training and preprocessing."""
