instructions = [("forward", 3), ("turn_right", 0), ("forward", 2), ("turn_around", 0), ("forward", 2), ("turn_left", 0), ("forward", 3)]
x, y = 0, 0
dx, dy = 0, 1
for op, n in instructions:
    if op == "forward":
        x, y = x + dx * n, y + dy * n
    elif op == "turn_right":
        dx, dy = dy, -dx
    elif op == "turn_left":
        dx, dy = -dy, dx
    elif op == "turn_around":
        dx, dy = -dx, -dy
print("<<<Yes>>>" if (x, y) == (0, 0) else "<<<No>>>")
