boxes = {"box_red": (0.5, 0.5), "box_blue": (1.5, 0.5)}
targets = {"box_red": (1.5, 1.5), "box_blue": (0.5, 1.5)}
plan = []
while any(boxes[b] != targets[b] for b in boxes):
    step = {}
    for b, (x, y) in boxes.items():
        tx, ty = targets[b]
        if (x, y) == (tx, ty):
            continue
        nx_ = x + (1 if tx > x else -1 if tx < x else 0)
        ny_ = y if nx_ != x else y + (1 if ty > y else -1)
        step[f"Agent[{x}, {y}]"] = f"move({b}, square[{nx_}, {ny_}])"
        boxes[b] = (nx_, ny_)
    plan.append(step)
print(f"<<<{plan}>>>")
