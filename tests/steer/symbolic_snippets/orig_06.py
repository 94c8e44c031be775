import networkx as nx
g = nx.path_graph(5)
print(nx.shortest_path(g, 0, 4))