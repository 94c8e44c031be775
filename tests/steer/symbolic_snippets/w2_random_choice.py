import random

print(f"<<<{random.choice(['A', 'B', 'C'])}>>>")
