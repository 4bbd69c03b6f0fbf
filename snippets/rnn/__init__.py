"""Recurrent cells written by hand (RNN, LSTM, GRU), equal to their `torch.nn` counterparts."""
