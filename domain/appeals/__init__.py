"""The appeal (обращение, сообщение ПОС, инцидент, звонок) and its life in the control centre."""
