from collections import deque

start = (('A',), (), ('B',))
goal = (('B',), ('A',), ())

def moves(state):
    for s in range(3):
        if not state[s]:
            continue
        for d in range(3):
            if d == s:
                continue
            new = [list(x) for x in state]
            block = new[s].pop()
            new[d].append(block)
            yield f"Move {block} from stack{s + 1} to stack{d + 1}", tuple(tuple(x) for x in new)

queue = deque([(start, [])])
seen = {start}
while queue:
    state, plan = queue.popleft()
    if state == goal:
        print("<<<" + "\n".join(plan) + ">>>")
        break
    for move, nxt in moves(state):
        if nxt not in seen:
            seen.add(nxt)
            queue.append((nxt, plan + [move]))
