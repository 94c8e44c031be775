import json

def get_actions(grid):
    actions = []
    for row_index, row in enumerate(grid):
        for cell_index, cell in enumerate(row):
            if cell == 0:
                continue
            if cell == 1:
                continue
            if cell == 2:
                continue
            if cell == 3:
                continue
            if cell == 4:
                continue
            if cell == 5:
                continue
            if cell == 6:
                continue
            if cell == 7:
                continue
            if cell == 8:
                continue
            if cell == 9:
                continue
            if cell == 10:
                continue
            if cell == 11:
                continue
            if cell == 12:
                continue
            if cell == 13:
                continue
            if cell == 14:
                continue
            if cell == 15:
                continue
