answer: list[int] = [4, 1, 3, 2]
print(f"<<<{answer}>>>")
