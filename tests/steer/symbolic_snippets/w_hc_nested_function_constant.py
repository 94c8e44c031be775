def get_grid():
    return [
        "a,b,c,d",
        "b,c,d,a",
        "c,d,a,b",
        "d,a,b,c",
    ]

def render(rows):
    return "\n".join(rows)

print("<<<" + render(get_grid()) + ">>>")
