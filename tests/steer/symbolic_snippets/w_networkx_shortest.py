import networkx as nx

G = nx.Graph()
G.add_weighted_edges_from([(0, 1, 2), (1, 2, 2), (0, 2, 5), (2, 3, 1)])
print("<<<" + str(nx.shortest_path(G, 0, 3, weight="weight")) + ">>>")
