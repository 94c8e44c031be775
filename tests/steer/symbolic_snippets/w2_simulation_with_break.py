pos = 0
for step, move in enumerate([3, -1, 4, -1, 5]):
    pos += move
    if pos >= 8:
        break
print(f"<<<{step} {pos}>>>")
