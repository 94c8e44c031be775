from collections import deque
q = deque([0])
while q:
    x = q.popleft()
    if x < 5: q.append(x + 1)
print(x)