from collections import deque

edges = {0: [1, 2], 1: [3], 2: [3], 3: []}
dist = {0: 0}
q = deque([0])
while q:
    u = q.popleft()
    for v in edges[u]:
        if v not in dist:
            dist[v] = dist[u] + 1
            q.append(v)
print(f"<<<{dist[3]}>>>")
