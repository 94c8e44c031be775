boxes = [92, 64, 39, 150, 77, 121]
lifters = [80, 60, 100]
remaining = sorted(boxes, reverse=True)
steps = []
while remaining:
    step = []
    free = list(range(len(lifters)))
    for box in list(remaining):
        team, cap = [], 0
        for i in sorted(free, key=lambda i: -lifters[i]):
            if cap >= box:
                break
            team.append(i)
            cap += lifters[i]
        if cap >= box:
            step.append((box, team))
            remaining.remove(box)
            free = [i for i in free if i not in team]
    if not step:
        break
    steps.append(step)
print(f"<<<{steps}>>>")
