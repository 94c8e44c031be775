word = "strawberry"
target = "r"
positions = [i + 1 for i, ch in enumerate(word) if ch == target]
print(f"<<<Count: {len(positions)}, Positions: {positions}>>>")
