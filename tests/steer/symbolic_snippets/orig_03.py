import heapq
q = [(0, 'a')]
seen = set()
while q:
    d, u = heapq.heappop(q)
    if u in seen: continue
    seen.add(u)
print(d)